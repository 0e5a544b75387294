package actions

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// ConverseWrapper holds the Bedrock Runtime client that the Converse example
// sends its request with.
type ConverseWrapper struct {
	BedrockRuntimeClient *bedrockruntime.Client
}

// ConverseClaude sends prompt to Claude 3 Haiku as one user message through
// the model-independent Converse API and returns the text of the reply.
func (wrapper ConverseWrapper) ConverseClaude(ctx context.Context, prompt string) (string, error) {
	// snippet: build the request
	var content = types.ContentBlockMemberText{
		Value: prompt,
	}
	var message = types.Message{
		Content: []types.ContentBlock{&content},
		Role:    "user",
	}
	modelId := "anthropic.claude-3-haiku-20240307-v1:0"
	var converseInput = bedrockruntime.ConverseInput{
		ModelId:  aws.String(modelId),
		Messages: []types.Message{message},
	}
	// snippet: invoke
	response, err := wrapper.BedrockRuntimeClient.Converse(ctx, &converseInput)
	// snippet: handle the error
	if err != nil {
		ProcessError(err, modelId)
	}

	// snippet: read the text
	responseText, _ := response.Output.(*types.ConverseOutputMemberMessage)
	responseContentBlock := responseText.Value.Content[0]
	text, _ := responseContentBlock.(*types.ContentBlockMemberText)
	return text.Value, nil

}
