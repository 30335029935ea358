"""The web application: chat API, chat page, health and the Open Referral read API."""
