"""What several languages share: the tools on PATH, the npm install step, the models the samples call."""

from __future__ import annotations

from .model import Step, Tool, ToolUse

CLAUDE_3_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CLAUDE_3_SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
CLAUDE_2 = "anthropic.claude-v2"

# The weather tool of the tool-use demos (Python's and Rust's declare it alike), called for Paris: its input is
# the coordinates as strings, as the tool's input schema asks.
WEATHER_TOOL = ToolUse("Weather_Tool", (("latitude", "48.8566"), ("longitude", "2.3522")))

PYTHON3 = Tool("python3", "Python 3.9 or later with venv", "Debian: apt-get install python3 python3-venv")
NODE = Tool("node", "Node.js 18 or later", "Debian: apt-get install nodejs npm, or a Node.js release for your system")
NPM = Tool("npm", "the npm package manager", "Debian: apt-get install npm (it comes with most Node.js releases)")

# Installs an npm project's locked dependencies (the JavaScript samples, and the ABAP transpiler).
NPM_CI = Step(
    "install",
    commands=(("npm", "ci", "--no-audit", "--no-fund"),),
    inputs=("package.json", "package-lock.json"),
    outputs=("node_modules",),
)
