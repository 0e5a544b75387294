// The getting-started program: one Converse call to Claude Haiku 4.5, printing the reply.

using Amazon;
using Amazon.BedrockRuntime;
using Amazon.BedrockRuntime.Model;

namespace BedrockRuntimeActions;

/// <summary>
/// Sends a single user message to Amazon Bedrock through the Converse API and prints the answer.
/// </summary>
internal class HelloBedrockRuntime
{
    static async Task Main(string[] args)
    {
        // snippet: create the client
        // This program signs for US West (Oregon); the endpoint may still come from the environment.
        var client = new AmazonBedrockRuntimeClient(RegionEndpoint.USWest2);

        // snippet: build the request
        // A global inference profile: Bedrock may serve the call from any Region with capacity for the model.
        var modelId = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

        var userMessage = "Hi. In a short paragraph, explain what you can do.";

        // One user turn holding one text block; no inference settings, so the model's defaults apply.
        var request = new ConverseRequest
        {
            ModelId = modelId,
            Messages = new List<Message>
            {
                new Message
                {
                    Role = ConversationRole.User,
                    Content = new List<ContentBlock> { new ContentBlock { Text = userMessage } }
                }
            }
        };

        // snippet: invoke
        try
        {
            // One round trip: the whole answer comes back in the response.
            var response = await client.ConverseAsync(request);

            // snippet: read the text
            // The assistant's message holds the answer in its first content block.
            string responseText = response?.Output?.Message?.Content?[0]?.Text ?? "";
            Console.WriteLine(responseText);
        }
        // snippet: handle the error
        catch (AmazonBedrockRuntimeException e)
        {
            // Report the service's message, then let the exception end the program.
            Console.WriteLine($"ERROR: Can't invoke '{modelId}'. Reason: {e.Message}");
            throw;
        }
        // snippet: end
    }
}
