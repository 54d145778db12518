"""The pages shown in the main window: dashboard, cases, team, settings, forms."""
