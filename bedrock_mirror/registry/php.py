"""PHP: the SDK for PHP 3 samples in one Composer project, each run by a small script beside it."""

from __future__ import annotations

from bedrock_stub import INVOKE_MODEL

from .common import CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step, Tool

PHP = Tool(
    "php",
    "PHP 8.1 or later with the curl, mbstring and xml extensions",
    "Debian: apt-get install php-cli php-curl php-xml php-mbstring",
)
PHPCS = Tool("phpcs", "PHP_CodeSniffer, for PSR-12", "Debian: apt-get install php-codesniffer")

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
            title="BedrockRuntimeService::invokeClaude, through run_invoke_claude.php",
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
        Check("PSR-12", ("phpcs", "--standard=PSR12", "src", "run_invoke_claude.php"), tools=(PHPCS,)),
    ),
)
