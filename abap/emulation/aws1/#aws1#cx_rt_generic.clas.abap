"! <p class="shorttext synchronized">Any error the SDK raises</p>
"! GET_TEXT gives the service's message, as the SDK for SAP ABAP does.
CLASS /aws1/cx_rt_generic DEFINITION PUBLIC ABSTRACT INHERITING FROM cx_static_check CREATE PUBLIC.
  PUBLIC SECTION.
    "! The error code, e.g. AccessDeniedException
    DATA av_err_code TYPE string READ-ONLY.
    "! The message the service sent with the error
    DATA av_err_msg TYPE string READ-ONLY.
    DATA av_http_status_code TYPE i READ-ONLY.
    DATA av_request_id TYPE string READ-ONLY.

    METHODS constructor
      IMPORTING previous            TYPE REF TO cx_root OPTIONAL
                av_err_code         TYPE string OPTIONAL
                av_err_msg          TYPE string OPTIONAL
                av_http_status_code TYPE i OPTIONAL
                av_request_id       TYPE string OPTIONAL.
    METHODS get_text REDEFINITION.
ENDCLASS.

CLASS /aws1/cx_rt_generic IMPLEMENTATION.

  METHOD constructor.
    super->constructor( previous = previous ).
    me->av_err_code = av_err_code.
    me->av_err_msg = av_err_msg.
    me->av_http_status_code = av_http_status_code.
    me->av_request_id = av_request_id.
  ENDMETHOD.

  METHOD get_text.
    IF av_err_msg IS NOT INITIAL.
      result = av_err_msg.
    ELSEIF av_err_code IS NOT INITIAL.
      result = av_err_code.
    ELSE.
      result = super->get_text( ).
    ENDIF.
  ENDMETHOD.

ENDCLASS.
