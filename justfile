# Developer shortcuts. Nothing here is required: each recipe is one plain command.

# Run the demo against the embedded local server.
demo:
    cargo run -p cadenya --example demo

# Every test, as CI runs it.
test:
    scripts/test-all.sh

# Regenerate every generated file from spec/openapi.yaml.
generate:
    cargo run -q -p cadenya-generator

# Fail when generated files are stale.
check-generated:
    cargo run -q -p cadenya-generator -- --check

# Build every release artefact of this platform into dist/ (wheels, sdist, npm tarballs, server).
dist:
    scripts/dist.sh

# Run the local Cadenya API server (prints its URL, API key and workspace id as JSON).
serve *ARGS:
    cargo run -q -p cadenya-server -- {{ARGS}}

# Webhook verification benchmark (verify vs raw HMAC-SHA256).
bench-webhooks:
    cargo bench -p cadenya --bench webhooks

lint:
    cargo clippy --workspace --all-targets -- -D warnings
