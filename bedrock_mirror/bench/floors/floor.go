// The Go start-up floor: load the AWS configuration, build the Bedrock Runtime client, print; no request.
package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

func main() {
	cfg, _ := config.LoadDefaultConfig(context.Background())
	_ = bedrockruntime.NewFromConfig(cfg)
	fmt.Println("floor")
}
