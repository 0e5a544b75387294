"! <p class="shorttext synchronized">InvokeModel response</p>
CLASS /aws1/cl_bdrinvokemodelrsp DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    METHODS constructor
      IMPORTING iv_body                     TYPE xstring OPTIONAL
                iv_contenttype              TYPE string OPTIONAL
                iv_performanceconfiglatency TYPE string OPTIONAL.
    "! @parameter ov_body | the model's native response body
    METHODS get_body
      RETURNING VALUE(ov_body) TYPE xstring.
    METHODS get_contenttype
      RETURNING VALUE(ov_contenttype) TYPE string.
    METHODS get_performanceconfiglatency
      RETURNING VALUE(ov_latency) TYPE string.

  PROTECTED SECTION.
  PRIVATE SECTION.
    DATA mv_body TYPE xstring.
    DATA mv_contenttype TYPE string.
    DATA mv_performanceconfiglatency TYPE string.
ENDCLASS.

CLASS /aws1/cl_bdrinvokemodelrsp IMPLEMENTATION.

  METHOD constructor.
    mv_body = iv_body.
    mv_contenttype = iv_contenttype.
    mv_performanceconfiglatency = iv_performanceconfiglatency.
  ENDMETHOD.

  METHOD get_body.
    ov_body = mv_body.
  ENDMETHOD.

  METHOD get_contenttype.
    ov_contenttype = mv_contenttype.
  ENDMETHOD.

  METHOD get_performanceconfiglatency.
    ov_latency = mv_performanceconfiglatency.
  ENDMETHOD.

ENDCLASS.
