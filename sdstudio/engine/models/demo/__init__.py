"""The demo model that ships with sdstudio, so the app works offline from the first start."""
