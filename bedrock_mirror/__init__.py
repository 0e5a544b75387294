"""Builds and runs every sample against the local Bedrock Runtime stub and checks they agree."""
