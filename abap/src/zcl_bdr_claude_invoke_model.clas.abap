"! <p class="shorttext synchronized">Invoke Anthropic Claude on Amazon Bedrock with InvokeModel</p>
"! The three SAP ABAP snippets of the AWS code example, as the documentation writes
"! them. Each method supplies what a snippet takes from its context (the prompt and
"! the Bedrock Runtime client LO_BDR) and returns the snippet's LV_ANSWER.
CLASS zcl_bdr_claude_invoke_model DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    "! SDK profile; the session reads region, credentials and endpoint from the environment
    CONSTANTS cv_pfl TYPE string VALUE `ZCODE_DEMO`.

    "! Low level: InvokeModel with Claude 2's native Text Completions body
    METHODS prompt_claude_v2
      IMPORTING iv_prompt        TYPE string
      RETURNING VALUE(ov_answer) TYPE string
      RAISING   /aws1/cx_bdrserverexc
                /aws1/cx_bdrclientexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.
    "! L2 high-level client for Claude 2
    METHODS l2_prompt_claude_v2
      IMPORTING iv_prompt        TYPE string
      RETURNING VALUE(ov_answer) TYPE string
      RAISING   /aws1/cx_bdrserverexc
                /aws1/cx_bdrclientexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.
    "! L2 high-level client for the Messages API with Claude 3 Sonnet
    METHODS l2_prompt_claude_v3
      IMPORTING iv_prompt        TYPE string
      RETURNING VALUE(ov_answer) TYPE string
      RAISING   /aws1/cx_bdrserverexc
                /aws1/cx_bdrclientexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.
ENDCLASS.



CLASS zcl_bdr_claude_invoke_model IMPLEMENTATION.

  METHOD prompt_claude_v2.
    " snippet: create the client [abap-low-level]
    DATA(lo_session) = /aws1/cl_rt_session_aws=>create( cv_pfl ).
    DATA(lo_bdr) = /aws1/cl_bdr_factory=>create( lo_session ).

    " snippet: build the request [abap-low-level]
    "The Text Completions body Claude 2 takes: a prompt in Human/Assistant turns,
    "the output limit and the sampling settings, all as top-level JSON fields.

    DATA: BEGIN OF ls_input,
            prompt               TYPE string,
            max_tokens_to_sample TYPE /aws1/rt_shape_integer,
            temperature          TYPE /aws1/rt_shape_float,
            top_k                TYPE /aws1/rt_shape_integer,
            top_p                TYPE /aws1/rt_shape_float,
            stop_sequences       TYPE /aws1/rt_stringtab,
          END OF ls_input.

    "No stop sequences are sent: the table stays initial.
    ls_input-prompt = |\n\nHuman:\\n{ iv_prompt }\n\nAssistant:\n|.
    ls_input-max_tokens_to_sample = 2048.
    ls_input-temperature = '0.5'.
    ls_input-top_k = 250.
    ls_input-top_p = 1.

    "/ui2/cl_json writes the structure as JSON (it ships with the SAP_UI component).
    DATA(lv_json) = /ui2/cl_json=>serialize(
      data        = ls_input
      pretty_name = /ui2/cl_json=>pretty_mode-low_case ).

    " snippet: invoke [abap-low-level]
    TRY.
        DATA(lo_response) = lo_bdr->invokemodel(
          iv_body = /aws1/cl_rt_util=>string_to_xstring( lv_json )
          iv_modelid = 'anthropic.claude-v2'
          iv_accept = 'application/json'
          iv_contenttype = 'application/json' ).

        " snippet: read the text [abap-low-level]
        "Claude 2 answers with the generated text in "completion" and why it stopped.
        DATA: BEGIN OF ls_response,
                completion  TYPE string,
                stop_reason TYPE string,
              END OF ls_response.

        /ui2/cl_json=>deserialize(
          EXPORTING jsonx = lo_response->get_body( )
                    pretty_name = /ui2/cl_json=>pretty_mode-camel_case
          CHANGING  data  = ls_response ).

        DATA(lv_answer) = ls_response-completion.
      " snippet: handle the error [abap-low-level]
      CATCH /aws1/cx_bdraccessdeniedex INTO DATA(lo_ex).
        WRITE / lo_ex->get_text( ).
        WRITE / |Don't forget to enable model access at https://console.aws.amazon.com/bedrock/home?#/modelaccess|.

    ENDTRY.
    " snippet: end
    ov_answer = lv_answer.
  ENDMETHOD.


  METHOD l2_prompt_claude_v2.
    DATA(lo_session) = /aws1/cl_rt_session_aws=>create( cv_pfl ).
    DATA(lo_bdr) = /aws1/cl_bdr_factory=>create( lo_session ).

    TRY.
        " snippet: invoke [abap-l2-claude-2]
        DATA(lo_bdr_l2_claude) = /aws1/cl_bdr_l2_factory=>create_claude_2( lo_bdr ).
        " The prompt is plain text; the L2 client wraps it in the turns Claude 2 expects.
        DATA(lv_answer) = lo_bdr_l2_claude->prompt_for_text( iv_prompt ).
      " snippet: end
      CATCH /aws1/cx_bdraccessdeniedex INTO DATA(lo_ex).
        WRITE / lo_ex->get_text( ).
        WRITE / |Don't forget to enable model access at https://console.aws.amazon.com/bedrock/home?#/modelaccess|.
    ENDTRY.
    ov_answer = lv_answer.
  ENDMETHOD.


  METHOD l2_prompt_claude_v3.
    DATA(lo_session) = /aws1/cl_rt_session_aws=>create( cv_pfl ).
    DATA(lo_bdr) = /aws1/cl_bdr_factory=>create( lo_session ).

    TRY.
        " Any Anthropic model that speaks the Messages API fits here; the Bedrock user
        " guide lists the model IDs and which of them support that API.
        " snippet: invoke [abap-l2-messages]
        DATA(lo_bdr_l2_claude) = /aws1/cl_bdr_l2_factory=>create_anthropic_msg_api(
          io_bdr = lo_bdr
          iv_model_id = 'anthropic.claude-3-sonnet-20240229-v1:0' ).  " Claude 3 Sonnet

        " The prompt is plain text; the client builds the Messages body around it.
        DATA(lv_answer) = lo_bdr_l2_claude->prompt_for_text( iv_prompt = iv_prompt iv_max_tokens = 100 ).
      " snippet: end
      CATCH /aws1/cx_bdraccessdeniedex INTO DATA(lo_ex).
        WRITE / lo_ex->get_text( ).
        WRITE / |Don't forget to enable model access at https://console.aws.amazon.com/bedrock/home?#/modelaccess|.
    ENDTRY.
    ov_answer = lv_answer.
  ENDMETHOD.

ENDCLASS.
