// Command invoke_claude runs the InvokeClaude example once, as the examples'
// model-invocation scenario does, and prints the completion.
//
// Credentials and the endpoint come from the standard AWS configuration:
// environment variables, shared config files and so on.
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
	sdkConfig, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		log.Fatalf("unable to load SDK config, %v", err)
	}

	wrapper := actions.InvokeModelWrapper{
		BedrockRuntimeClient: bedrockruntime.NewFromConfig(sdkConfig),
	}

	// snippet: end
	log.SetFlags(0)

	completion, err := wrapper.InvokeClaude(ctx, "In one paragraph, who are you?")
	if err != nil {
		panic(err)
	}

	// The scenario logs the trimmed completion behind a label; it is printed
	// here unchanged, alone on standard output, so it can be compared whole.
	fmt.Println(completion)
}
