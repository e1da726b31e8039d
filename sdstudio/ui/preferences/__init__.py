"""The Preferences dialog (folders, TAESD weights, device, memory options, theme), how its
values are checked and applied, and the fallback when chosen TAESD previews cannot work."""
