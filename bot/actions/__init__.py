"""Custom actions served by rasa-sdk, which loads every module of this package."""
