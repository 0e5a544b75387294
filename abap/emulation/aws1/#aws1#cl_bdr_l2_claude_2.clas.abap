"! <p class="shorttext synchronized">L2 client for Claude 2 over InvokeModel</p>
"! Wraps the prompt in the Human/Assistant turns the Text Completions API requires.
CLASS /aws1/cl_bdr_l2_claude_2 DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    INTERFACES /aws1/if_bdr_l2_claude_2.

    CONSTANTS c_model_id TYPE string VALUE `anthropic.claude-v2`.

    METHODS constructor
      IMPORTING io_bdr TYPE REF TO /aws1/if_bdr.

  PROTECTED SECTION.
  PRIVATE SECTION.
    DATA mo_bdr TYPE REF TO /aws1/if_bdr.
ENDCLASS.

CLASS /aws1/cl_bdr_l2_claude_2 IMPLEMENTATION.

  METHOD constructor.
    mo_bdr = io_bdr.
  ENDMETHOD.

  METHOD /aws1/if_bdr_l2_claude_2~prompt_for_text.
    DATA: BEGIN OF ls_request,
            prompt               TYPE string,
            max_tokens_to_sample TYPE i,
          END OF ls_request.
    DATA: BEGIN OF ls_response,
            completion  TYPE string,
            stop_reason TYPE string,
          END OF ls_response.

    ls_request-prompt = |\n\nHuman: { iv_prompt }\n\nAssistant:|.
    ls_request-max_tokens_to_sample = iv_max_tokens.
    DATA(lo_response) = mo_bdr->invokemodel(
      iv_body        = /aws1/cl_rt_util=>string_to_xstring(
                         /ui2/cl_json=>serialize( data        = ls_request
                                                  pretty_name = /ui2/cl_json=>pretty_mode-low_case ) )
      iv_modelid     = c_model_id
      iv_accept      = `application/json`
      iv_contenttype = `application/json` ).
    /ui2/cl_json=>deserialize( EXPORTING jsonx       = lo_response->get_body( )
                                         pretty_name = /ui2/cl_json=>pretty_mode-low_case
                               CHANGING  data        = ls_response ).
    ov_answer = ls_response-completion.
  ENDMETHOD.

ENDCLASS.
