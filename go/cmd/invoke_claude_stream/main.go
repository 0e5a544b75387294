// Command invoke_claude_stream runs the InvokeModelWithResponseStream example
// once, as the examples' model-invocation scenario does: it prints the Region
// it uses, logs a label and lets the example print the completion as it
// streams in, and recovers from any panic by logging it, so the program ends
// with status 0.
//
// Credentials and the endpoint come from the standard AWS configuration:
// environment variables, shared config files and so on.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"example.com/bedrock-invoke-mirror/go/actions"
)

func main() {
	region := flag.String("region", "us-east-1", "The AWS region")
	flag.Parse()

	fmt.Printf("Using AWS region: %s\n", *region)

	ctx := context.Background()

	// snippet: create the client
	sdkConfig, err := config.LoadDefaultConfig(ctx, config.WithRegion(*region))
	if err != nil {
		log.Fatalf("unable to load SDK config, %v", err)
	}

	wrapper := actions.InvokeModelWithResponseStreamWrapper{
		BedrockRuntimeClient: bedrockruntime.NewFromConfig(sdkConfig),
	}

	// snippet: end
	log.SetFlags(0)
	run(ctx, wrapper)
}

// run calls the example as the scenario's Run does: a panic anywhere below,
// such as the example reading the nil output of a failed call, is logged
// rather than ending the program.
func run(ctx context.Context, wrapper actions.InvokeModelWithResponseStreamWrapper) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("Something went wrong with the demo: %v\n", r)
		}
	}()

	prompt := "In one paragraph, who are you?"

	log.Println(strings.Repeat("-", 77))
	log.Printf("Invoking Claude with prompt: %v\n", prompt)
	log.Println("\nClaude with response stream:")
	_, err := wrapper.InvokeModelWithResponseStream(ctx, prompt)
	if err != nil {
		panic(err)
	}
	log.Println()
}
