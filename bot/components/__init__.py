"""Custom Rasa NLU components (run in the Rasa runtime, .venv-rasa)."""
