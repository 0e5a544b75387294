// Command converse_claude runs the ConverseClaude example once, as the
// examples' Converse scenario does, and prints the reply.
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

	wrapper := actions.ConverseWrapper{
		BedrockRuntimeClient: bedrockruntime.NewFromConfig(sdkConfig),
	}

	// snippet: end
	log.SetFlags(0)

	completion, err := wrapper.ConverseClaude(ctx, "In one paragraph, who are you?")
	if err != nil {
		panic(err)
	}

	// The scenario logs the trimmed reply behind a label; it is printed here
	// unchanged, alone on standard output, so it can be compared whole.
	fmt.Println(completion)
}
