"! Error responses become the exception classes the service model names
CLASS ltcl_errors DEFINITION FINAL FOR TESTING DURATION SHORT RISK LEVEL HARMLESS.
  PRIVATE SECTION.
    METHODS access_denied FOR TESTING.
    METHODS every_modeled_error FOR TESTING.
    METHODS error_type_with_suffix FOR TESTING.
    METHODS code_from_body FOR TESTING.
    METHODS model_error_details FOR TESTING.
    METHODS authentication_failures FOR TESTING.
    METHODS unmodeled_by_status FOR TESTING.

    "! @parameter ro_error | what RAISE_ERROR raised
    METHODS raise
      IMPORTING iv_status       TYPE i
                iv_error_type   TYPE string OPTIONAL
                iv_body         TYPE string OPTIONAL
      RETURNING VALUE(ro_error) TYPE REF TO /aws1/cx_rt_generic.
ENDCLASS.

CLASS ltcl_errors IMPLEMENTATION.

  METHOD raise.
    TRY.
        /aws1/cl_bdr_client=>raise_error( iv_status     = iv_status
                                          iv_error_type = iv_error_type
                                          iv_body       = /aws1/cl_rt_util=>string_to_xstring( iv_body ) ).
      CATCH /aws1/cx_rt_generic INTO ro_error.
        RETURN.
    ENDTRY.
    cl_abap_unit_assert=>fail( `nothing raised` ).
  ENDMETHOD.

  METHOD access_denied.
    DATA lo_ex TYPE REF TO /aws1/cx_bdraccessdeniedex.
    TRY.
        /aws1/cl_bdr_client=>raise_error(
          iv_status     = 403
          iv_error_type = `AccessDeniedException`
          iv_body       = /aws1/cl_rt_util=>string_to_xstring(
                            `{"message":"You don't have access to the model with the specified model ID."}` ) ).
      CATCH /aws1/cx_bdraccessdeniedex INTO lo_ex.
        cl_abap_unit_assert=>assert_equals( act = lo_ex->get_text( )
                                            exp = `You don't have access to the model with the specified model ID.` ).
        cl_abap_unit_assert=>assert_equals( act = lo_ex->av_http_status_code exp = 403 ).
        cl_abap_unit_assert=>assert_equals( act = lo_ex->av_err_code exp = `AccessDeniedException` ).
      CATCH /aws1/cx_rt_generic.
        cl_abap_unit_assert=>fail( `not an AccessDeniedException` ).
    ENDTRY.
    cl_abap_unit_assert=>assert_bound( lo_ex ).
  ENDMETHOD.

  METHOD every_modeled_error.
    DATA lo_error TYPE REF TO /aws1/cx_rt_generic.

    lo_error = raise( iv_status = 400 iv_error_type = `ValidationException` iv_body = `{"message":"bad"}` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrvalidationex ) ).
    cl_abap_unit_assert=>assert_equals( act = lo_error->get_text( ) exp = `bad` ).

    lo_error = raise( iv_status = 400 iv_error_type = `ServiceQuotaExceededException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrservicequotaexcdex ) ).
    lo_error = raise( iv_status = 404 iv_error_type = `ResourceNotFoundException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrresourcenotfoundex ) ).
    lo_error = raise( iv_status = 408 iv_error_type = `ModelTimeoutException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrmodeltimeoutex ) ).
    lo_error = raise( iv_status = 429 iv_error_type = `ThrottlingException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrthrottlingex ) ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrclientexc ) ).
    lo_error = raise( iv_status = 429 iv_error_type = `ModelNotReadyException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrmodelnotreadyex ) ).
    lo_error = raise( iv_status = 500 iv_error_type = `InternalServerException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrinternalserverex ) ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrserverexc ) ).
    lo_error = raise( iv_status = 503 iv_error_type = `ServiceUnavailableException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrserviceunavailex ) ).
    lo_error = raise( iv_status = 424 iv_error_type = `ModelErrorException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrmodelerrorex ) ).
  ENDMETHOD.

  METHOD error_type_with_suffix.
    DATA(lo_error) = raise( iv_status     = 400
                            iv_error_type = `ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`
                            iv_body       = `{"Message":"capitalised key"}` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrvalidationex ) ).
    cl_abap_unit_assert=>assert_equals( act = lo_error->get_text( ) exp = `capitalised key` ).
  ENDMETHOD.

  METHOD code_from_body.
    DATA(lo_error) = raise( iv_status = 429
                            iv_body   = `{"code":"com.amazon.bedrock#ThrottlingException","message":"slow down"}` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrthrottlingex ) ).
  ENDMETHOD.

  METHOD model_error_details.
    DATA lo_model_error TYPE REF TO /aws1/cx_bdrmodelerrorex.
    DATA(lo_error) = raise( iv_status     = 424
                            iv_error_type = `ModelErrorException`
                            iv_body       = `{"message":"boom","originalStatusCode":500,"resourceName":"claude"}` ).
    lo_model_error ?= lo_error.
    cl_abap_unit_assert=>assert_equals( act = lo_model_error->av_originalstatuscode exp = 500 ).
    cl_abap_unit_assert=>assert_equals( act = lo_model_error->av_resourcename exp = `claude` ).
    cl_abap_unit_assert=>assert_equals( act = lo_model_error->get_text( ) exp = `boom` ).
  ENDMETHOD.

  METHOD authentication_failures.
    DATA(lo_error) = raise( iv_status     = 403
                            iv_error_type = `UnrecognizedClientException`
                            iv_body       = `{"message":"The security token included in the request is invalid."}` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_rt_no_auth_generic ) ).
    lo_error = raise( iv_status = 403 iv_error_type = `InvalidSignatureException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_rt_no_auth_generic ) ).
  ENDMETHOD.

  METHOD unmodeled_by_status.
    DATA(lo_error) = raise( iv_status = 418 iv_error_type = `TeapotException` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrclientexc ) ).
    cl_abap_unit_assert=>assert_equals( act = lo_error->get_text( ) exp = `TeapotException` ).
    lo_error = raise( iv_status = 502 iv_body = `<html>bad gateway</html>` ).
    cl_abap_unit_assert=>assert_true( xsdbool( lo_error IS INSTANCE OF /aws1/cx_bdrserverexc ) ).
    cl_abap_unit_assert=>assert_equals( act = lo_error->get_text( ) exp = `HTTP 502` ).
  ENDMETHOD.

ENDCLASS.
