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
    " snippet: create the client
    DATA(lo_session) = /aws1/cl_rt_session_aws=>create( cv_pfl ).
    DATA(lo_bdr) = /aws1/cl_bdr_factory=>create( lo_session ).

    " snippet: build the request
    "Claude V2 Input Parameters should be in a format like this:
*   {
*     "prompt":"\n\nHuman:\\nTell me a joke\n\nAssistant:\n",
*     "max_tokens_to_sample":2048,
*     "temperature":0.5,
*     "top_k":250,
*     "top_p":1.0,
*     "stop_sequences":[]
*   }

    DATA: BEGIN OF ls_input,
            prompt               TYPE string,
            max_tokens_to_sample TYPE /aws1/rt_shape_integer,
            temperature          TYPE /aws1/rt_shape_float,
            top_k                TYPE /aws1/rt_shape_integer,
            top_p                TYPE /aws1/rt_shape_float,
            stop_sequences       TYPE /aws1/rt_stringtab,
          END OF ls_input.

    "Leave ls_input-stop_sequences empty.
    ls_input-prompt = |\n\nHuman:\\n{ iv_prompt }\n\nAssistant:\n|.
    ls_input-max_tokens_to_sample = 2048.
    ls_input-temperature = '0.5'.
    ls_input-top_k = 250.
    ls_input-top_p = 1.

    "Serialize into JSON with /ui2/cl_json -- this assumes SAP_UI is installed.
    DATA(lv_json) = /ui2/cl_json=>serialize(
      data        = ls_input
      pretty_name = /ui2/cl_json=>pretty_mode-low_case ).

    " snippet: invoke
    TRY.
        DATA(lo_response) = lo_bdr->invokemodel(
          iv_body = /aws1/cl_rt_util=>string_to_xstring( lv_json )
          iv_modelid = 'anthropic.claude-v2'
          iv_accept = 'application/json'
          iv_contenttype = 'application/json' ).

        " snippet: read the text
        "Claude V2 Response format will be:
*       {
*         "completion": "Knock Knock...",
*         "stop_reason": "stop_sequence"
*       }
        DATA: BEGIN OF ls_response,
                completion  TYPE string,
                stop_reason TYPE string,
              END OF ls_response.

        /ui2/cl_json=>deserialize(
          EXPORTING jsonx = lo_response->get_body( )
                    pretty_name = /ui2/cl_json=>pretty_mode-camel_case
          CHANGING  data  = ls_response ).

        DATA(lv_answer) = ls_response-completion.
      " snippet: handle the error
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
        " snippet: invoke (L2 client for Claude 2)
        DATA(lo_bdr_l2_claude) = /aws1/cl_bdr_l2_factory=>create_claude_2( lo_bdr ).
        " iv_prompt can contain a prompt like 'tell me a joke about Java programmers'.
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
        " Choose a model ID from Anthropic that supports the Messages API - currently this is
        " Claude v2, Claude v3 and v3.5. For the list of model ID, see:
        " https://docs.aws.amazon.com/bedrock/latest/userguide/model-ids.html

        " for the list of models that support the Messages API see:
        " https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
        " snippet: invoke (L2 Messages client)
        DATA(lo_bdr_l2_claude) = /aws1/cl_bdr_l2_factory=>create_anthropic_msg_api(
          io_bdr = lo_bdr
          iv_model_id = 'anthropic.claude-3-sonnet-20240229-v1:0' ).  " choosing Claude v3 Sonnet

        " iv_prompt can contain a prompt like 'tell me a joke about Java programmers'.
        DATA(lv_answer) = lo_bdr_l2_claude->prompt_for_text( iv_prompt = iv_prompt iv_max_tokens = 100 ).
      " snippet: end
      CATCH /aws1/cx_bdraccessdeniedex INTO DATA(lo_ex).
        WRITE / lo_ex->get_text( ).
        WRITE / |Don't forget to enable model access at https://console.aws.amazon.com/bedrock/home?#/modelaccess|.
    ENDTRY.
    ov_answer = lv_answer.
  ENDMETHOD.

ENDCLASS.
