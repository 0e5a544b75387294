# Send Anthropic Claude a PDF document and a question about it with the Converse API, and print the answer.

import boto3
from botocore.exceptions import ClientError

# snippet: create the client
# The Region decides where the call is signed for; the endpoint may still come from the environment.
client = boto3.client("bedrock-runtime", region_name="us-east-1")

# snippet: build the request
# Claude 3 Haiku reads documents passed as Converse content blocks.
model_id = "anthropic.claude-3-haiku-20240307-v1:0"

# The path is relative to the folder the script is started from.
with open("example-data/amazon-nova-service-cards.pdf", "rb") as file:
    document_bytes = file.read()

# One user turn holding the question and the document; boto3 sends the raw bytes base64-encoded.
conversation = [
    {
        "role": "user",
        "content": [
            {"text": "Briefly compare the models described in this document"},
            {
                "document": {
                    # Converse also takes html, md, doc/docx, xls/xlsx, csv and txt documents.
                    "format": "pdf",
                    "name": "Amazon Nova Service Cards",
                    "source": {"bytes": document_bytes},
                }
            },
        ],
    }
]

# snippet: invoke
try:
    # A lower temperature and a shorter limit than the plain Converse example.
    response = client.converse(
        modelId=model_id,
        messages=conversation,
        inferenceConfig={"maxTokens": 500, "temperature": 0.3},
    )

    # snippet: read the text
    # The reply is the assistant's message; its first content block holds the text.
    response_text = response["output"]["message"]["content"][0]["text"]
    print(response_text)

# snippet: handle the error
except (ClientError, Exception) as e:
    print(f"ERROR: Can't invoke '{model_id}'. Reason: {e}")
    exit(1)
