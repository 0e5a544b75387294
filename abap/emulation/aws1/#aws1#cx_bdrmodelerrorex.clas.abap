"! <p class="shorttext synchronized">ModelErrorException (HTTP 424)</p>
CLASS /aws1/cx_bdrmodelerrorex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
  PUBLIC SECTION.
    "! The status code the model returned
    DATA av_originalstatuscode TYPE i READ-ONLY.
    DATA av_resourcename TYPE string READ-ONLY.

    METHODS constructor
      IMPORTING previous              TYPE REF TO cx_root OPTIONAL
                av_err_code           TYPE string OPTIONAL
                av_err_msg            TYPE string OPTIONAL
                av_http_status_code   TYPE i OPTIONAL
                av_request_id         TYPE string OPTIONAL
                av_originalstatuscode TYPE i OPTIONAL
                av_resourcename       TYPE string OPTIONAL.
ENDCLASS.

CLASS /aws1/cx_bdrmodelerrorex IMPLEMENTATION.

  METHOD constructor.
    super->constructor( previous            = previous
                        av_err_code         = av_err_code
                        av_err_msg          = av_err_msg
                        av_http_status_code = av_http_status_code
                        av_request_id       = av_request_id ).
    me->av_originalstatuscode = av_originalstatuscode.
    me->av_resourcename = av_resourcename.
  ENDMETHOD.

ENDCLASS.
