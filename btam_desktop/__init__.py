"""BTAM Desktop: offline, encrypted behavioral threat assessment and management."""

__version__ = "0.1.0"
APP_NAME = "BTAM Desktop"
