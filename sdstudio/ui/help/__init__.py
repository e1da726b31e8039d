"""The Help menu's dialogs: About (versions, device, where files live) and keyboard shortcuts."""
