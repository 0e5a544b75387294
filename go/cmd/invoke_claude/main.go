// Command invoke_claude runs the InvokeClaude example once and prints the
// completion that Anthropic Claude returns.
//
// The AWS Region, credentials and endpoint come from the standard AWS
// configuration: environment variables, shared config files and so on.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"example.com/bedrock-invoke-mirror/go/actions"
)

func main() {
	ctx := context.Background()

	// snippet: create the client
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("unable to load the AWS configuration: %v", err)
	}

	wrapper := actions.InvokeModelWrapper{
		BedrockRuntimeClient: bedrockruntime.NewFromConfig(cfg),
	}

	// snippet: end
	prompt := "Describe the purpose of a 'hello world' program in one line."
	completion, err := wrapper.InvokeClaude(ctx, prompt)
	if err != nil {
		log.Fatalf("unable to invoke Anthropic Claude: %v", err)
	}

	fmt.Println(completion)
}
