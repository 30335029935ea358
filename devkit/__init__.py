"""Development tooling shared by tests, benchmarks and reports: the process launcher, the browser
driver and the conversation-scenario checker. Never imported by the product's runtime packages."""
