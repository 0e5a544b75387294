"! <p class="shorttext synchronized">L2 client for Anthropic's Messages API over InvokeModel</p>
CLASS /aws1/cl_bdr_l2_anthropic_msg DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    INTERFACES /aws1/if_bdr_l2_anthropic_msg.

    CONSTANTS c_anthropic_version TYPE string VALUE `bedrock-2023-05-31`.

    METHODS constructor
      IMPORTING io_bdr      TYPE REF TO /aws1/if_bdr
                iv_model_id TYPE string.

  PROTECTED SECTION.
  PRIVATE SECTION.
    TYPES:
      BEGIN OF ty_content_block,
        type TYPE string,
        text TYPE string,
      END OF ty_content_block,
      ty_content_blocks TYPE STANDARD TABLE OF ty_content_block WITH DEFAULT KEY,
      BEGIN OF ty_message,
        role    TYPE string,
        content TYPE ty_content_blocks,
      END OF ty_message,
      ty_messages TYPE STANDARD TABLE OF ty_message WITH DEFAULT KEY.

    DATA mo_bdr TYPE REF TO /aws1/if_bdr.
    DATA mv_model_id TYPE string.
ENDCLASS.

CLASS /aws1/cl_bdr_l2_anthropic_msg IMPLEMENTATION.

  METHOD constructor.
    mo_bdr = io_bdr.
    mv_model_id = iv_model_id.
  ENDMETHOD.

  METHOD /aws1/if_bdr_l2_anthropic_msg~prompt_for_text.
    DATA: BEGIN OF ls_request,
            anthropic_version TYPE string,
            max_tokens        TYPE i,
            messages          TYPE ty_messages,
          END OF ls_request.
    DATA: BEGIN OF ls_response,
            content     TYPE ty_content_blocks,
            stop_reason TYPE string,
          END OF ls_response.

    ls_request-anthropic_version = c_anthropic_version.
    ls_request-max_tokens = iv_max_tokens.
    APPEND VALUE #( role    = `user`
                    content = VALUE #( ( type = `text` text = iv_prompt ) ) ) TO ls_request-messages.
    DATA(lo_response) = mo_bdr->invokemodel(
      iv_body        = /aws1/cl_rt_util=>string_to_xstring(
                         /ui2/cl_json=>serialize( data        = ls_request
                                                  pretty_name = /ui2/cl_json=>pretty_mode-low_case ) )
      iv_modelid     = mv_model_id
      iv_accept      = `application/json`
      iv_contenttype = `application/json` ).
    /ui2/cl_json=>deserialize( EXPORTING jsonx       = lo_response->get_body( )
                                         pretty_name = /ui2/cl_json=>pretty_mode-low_case
                               CHANGING  data        = ls_response ).
    LOOP AT ls_response-content INTO DATA(ls_block) WHERE type = `text`.
      ov_answer = ls_block-text.
      EXIT.
    ENDLOOP.
  ENDMETHOD.

ENDCLASS.
