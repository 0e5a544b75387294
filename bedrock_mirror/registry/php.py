"""PHP: the SDK for PHP 3 samples in one Composer project, each run by a small script beside it."""

from __future__ import annotations

from bedrock_stub import INVOKE_MODEL

from ..extraction import Extraction
from .common import CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step, Tool

PHP = Tool(
    "php",
    "PHP 8.1 or later with the curl, mbstring and xml extensions",
    "Debian: apt-get install php-cli php-curl php-xml php-mbstring",
)
PHPCS = Tool("phpcs", "PHP_CodeSniffer, for PSR-12", "Debian: apt-get install php-codesniffer")

SERVICE = "php/example_code/bedrock-runtime/BedrockRuntimeService.php"
HAIKU_4_5_GLOBAL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
SCENARIO_RULE = "-" * 69

LANGUAGE = Language(
    name="php",
    title="PHP (SDK for PHP 3)",
    folder="php",
    tools=(PHP,),
    sdk=Sdk(
        "aws/aws-sdk-php",
        manifest="composer.json",
        installed=Installed("composer", "vendor/composer/installed.json", "aws/aws-sdk-php"),
        upgrade=(
            (
                "composer",
                "require",
                "--no-interaction",
                "--no-progress",
                "--update-with-dependencies",
                "aws/aws-sdk-php:>=3",
            ),
        ),
    ),
    steps=(
        Step(
            "install",
            commands=(("composer", "install", "--no-interaction", "--no-progress"),),
            inputs=("composer.json",),
            outputs=("vendor/autoload.php",),
            satisfied_by_outputs=True,
            unavailable="the AWS SDK for PHP (aws/aws-sdk-php, pinned in php/composer.json) is not installed: "
            "run `composer install` in php/ where Packagist is reachable, or place an installed vendor/ there",
        ),
    ),
    samples=(
        Sample(
            id="php",
            # The seed page labels it "invoke the Anthropic Claude 2 foundation model to generate text", although its
            # code calls Claude 3 Haiku.
            title="BedrockRuntimeService::invokeClaude as the seed page shows it (labelled there as invoking Claude "
            "2), through run_invoke_claude.php",
            source="src/BedrockRuntimeService.php",
            run=("php", "run_invoke_claude.php"),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_3_HAIKU,
            # The SDK's exceptions carry code 0; its message wraps the service's. The runner, like the documented
            # scenario, prints the empty answer and ends normally.
            on_error=ErrorPath('Error: (0) - Error executing "InvokeModel" on ', exit_code=0),
            # The last version of the documented class that called Claude 3 Haiku (later ones call Claude Haiku 4.5).
            upstream="php/example_code/bedrock-runtime/BedrockRuntimeService.php"
            "@ee6ae7843a927b7ca0c58edc3069e36b6668c723",
        ),
        Sample(
            id="php-current",
            title="BedrockRuntimeService::invokeClaude as upstream holds it today (Claude Haiku 4.5 from us-west-2), "
            "through run_invoke_claude_current.php",
            source="current/BedrockRuntimeService.php",
            run=("php", "run_invoke_claude_current.php"),
            operation=INVOKE_MODEL,
            model_id=HAIKU_4_5_GLOBAL,
            region="us-west-2",
            # The getting-started scenario prints the answer under the model's label, then a rule.
            extraction=Extraction(after="Anthropic Claude:", before=SCENARIO_RULE),
            on_error=ErrorPath('Error: (0) - Error executing "InvokeModel" on ', exit_code=0),
            # Claude Haiku 4.5 through its global profile and us-west-2 since cdc783c (#7986).
            upstream=f"{SERVICE}@cdc783c2e35701245d11139e0b6467e5f711cc46",
        ),
    ),
    floor=Floor(
        (
            "php",
            "-r",
            "require 'vendor/autoload.php'; new Aws\\BedrockRuntime\\BedrockRuntimeClient("
            "['region' => 'us-east-1', 'version' => 'latest']); echo \"floor\\n\";",
        )
    ),
    checks=(
        Check("php -l", ("php", "-l", "{file}"), tools=(PHP,), files="**/*.php"),
        Check(
            "PSR-12",
            ("phpcs", "--standard=PSR12", "src", "current", "run_invoke_claude.php", "run_invoke_claude_current.php"),
            tools=(PHPCS,),
        ),
    ),
)
