# What the demo prints: the greeting, the farewell, and a line for each step of the conversation.


def header():
    """Prints the greeting and a few example questions."""
    print("\033[0m")
    separator("=")
    print("Welcome to the Amazon Bedrock Tool Use demo!")
    separator("=")
    print("This assistant provides current weather information for user-specified locations.")
    print("You can ask for weather details by providing the location name or coordinates.")
    print("")
    print("Example queries:")
    print("- What's the weather like in New York?")
    print("- Current weather for latitude 40.70, longitude -74.01")
    print("- Is it warmer in Rome or Barcelona today?")
    print("")
    print("To exit the program, simply type 'x' and press Enter.")
    print("")
    print("P.S.: You're not limited to single locations, or even to using English!")
    print("Have fun and experiment with the app!")


def footer():
    """Prints the farewell, with where to find more examples."""
    print("\033[0m")
    separator("=")
    print("Thank you for checking out the Amazon Bedrock Tool Use demo. We hope you")
    print("learned something new, or got some inspiration for your own apps today!")
    print("")
    print("For more Bedrock examples in different programming languages, have a look at:")
    print("https://docs.aws.amazon.com/bedrock/latest/userguide/service_code_examples.html")
    separator("=")


def call_to_bedrock(conversation):
    """Says what the next request carries: the user's question, or the results of tool calls.

    :param conversation: every turn so far, the newest last.
    """
    if "toolResult" in conversation[-1]["content"][0]:
        print("\033[0;90mReturning the tool response(s) to the model...\033[0m")
    else:
        print("\033[0;90mSending the query to the model...\033[0m")


def tool_use(tool_name, input_data):
    """Says which tool runs, with the model's input.

    :param tool_name: the tool's name.
    :param input_data: the model's input for it.
    """
    print(f"\033[0;90mExecuting tool: {tool_name} with input: {input_data}...\033[0m")


def model_response(message):
    """Prints a text of the model under its label.

    :param message: the text.
    """
    print("\033[0;90mThe model's response:\033[0m")
    print(message)


def separator(char="-"):
    """Prints a line of 80 characters.

    :param char: the character it is made of.
    """
    print(char * 80)
