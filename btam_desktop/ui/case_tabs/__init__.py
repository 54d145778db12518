"""The tabs of the case workspace, one module each, plus the helpers they and the dialogs share."""
