"""Tables, enums, the case workflow and form definitions. Imports nothing of the app."""
