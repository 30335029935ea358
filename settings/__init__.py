"""Every setting, from one source: the environment, then the `.env` file at the repository root,
then the defaults here (`.env.example` documents each one).

- `settings.env`: stdlib only, for both runtimes: the repository root, the `.env` reader and the
  defaults that processes outside the API share (the directory's database URL, the tracker
  store's privacy settings). Used by the directory CLI, Alembic and the Rasa tracker store.
- `settings.app`: the application's pydantic-settings class (`Settings`, `get_settings()`),
  built on the same reader and defaults. Used by the API and the action server.

Importing this package reads nothing; each value is read on first use.
"""
