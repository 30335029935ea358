"""Custom actions served by rasa-sdk. Every module of this package is loaded by the action server."""
