// Command invoke_claude_stream runs the InvokeModelWithResponseStream example
// once, as the examples' model-invocation scenario does; the example itself
// prints the completion as it streams in.
//
// Credentials and the endpoint come from the standard AWS configuration:
// environment variables, shared config files and so on.
package main

import (
	"context"
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

	wrapper := actions.InvokeModelWithResponseStreamWrapper{
		BedrockRuntimeClient: bedrockruntime.NewFromConfig(sdkConfig),
	}

	// snippet: end
	log.SetFlags(0)

	_, err = wrapper.InvokeModelWithResponseStream(ctx, "In one paragraph, who are you?")
	if err != nil {
		panic(err)
	}
}
