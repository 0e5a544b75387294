"! <p class="shorttext synchronized">Bedrock Runtime client over REST-JSON</p>
"! Sends each operation as the service model describes it (restJson1, signing name
"! bedrock) and turns error responses into the modeled exception classes.
CLASS /aws1/cl_bdr_client DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    INTERFACES /aws1/if_bdr.

    CONSTANTS c_service_id TYPE string VALUE `Bedrock Runtime`.
    CONSTANTS c_endpoint_prefix TYPE string VALUE `bedrock-runtime`.
    CONSTANTS c_signing_name TYPE string VALUE `bedrock`.

    METHODS constructor
      IMPORTING io_session TYPE REF TO /aws1/cl_rt_session_aws.

    "! Raises the exception that matches an error response.
    "! @parameter iv_status | HTTP status code
    "! @parameter iv_error_type | the X-Amzn-ErrorType header, if any
    "! @parameter iv_body | the response body, JSON with a message
    "! @parameter iv_request_id | the x-amzn-RequestId header, if any
    CLASS-METHODS raise_error
      IMPORTING iv_status     TYPE i
                iv_error_type TYPE string OPTIONAL
                iv_body       TYPE xstring OPTIONAL
                iv_request_id TYPE string OPTIONAL
      RAISING   /aws1/cx_bdraccessdeniedex
                /aws1/cx_bdrinternalserverex
                /aws1/cx_bdrmodelerrorex
                /aws1/cx_bdrmodelnotreadyex
                /aws1/cx_bdrmodeltimeoutex
                /aws1/cx_bdrresourcenotfoundex
                /aws1/cx_bdrservicequotaexcdex
                /aws1/cx_bdrserviceunavailex
                /aws1/cx_bdrthrottlingex
                /aws1/cx_bdrvalidationex
                /aws1/cx_bdrclientexc
                /aws1/cx_bdrserverexc
                /aws1/cx_rt_technical_generic
                /aws1/cx_rt_service_generic
                /aws1/cx_rt_no_auth_generic.

  PROTECTED SECTION.
  PRIVATE SECTION.
    DATA mo_session TYPE REF TO /aws1/cl_rt_session_aws.

    CLASS-METHODS header_value
      IMPORTING iv_header_lines TYPE string
                iv_name         TYPE string
      RETURNING VALUE(rv_value) TYPE string.
ENDCLASS.

CLASS /aws1/cl_bdr_client IMPLEMENTATION.

  METHOD constructor.
    mo_session = io_session.
  ENDMETHOD.

  METHOD /aws1/if_bdr~invokemodel.
    DATA ls_request TYPE /aws1/cl_rt_sigv4=>ty_request.
    DATA lt_lines TYPE string_table.

    DATA(lv_endpoint) = mo_session->resolve_endpoint( iv_service_id      = c_service_id
                                                      iv_endpoint_prefix = c_endpoint_prefix ).
    " split scheme://authority/base-path; the Host header is the authority
    DATA(lv_scheme) = substring_before( val = lv_endpoint sub = `://` ).
    DATA(lv_rest) = substring_after( val = lv_endpoint sub = `://` ).
    DATA(lv_authority) = lv_rest.
    DATA(lv_base_path) = ``.
    IF lv_rest CS `/`.
      lv_authority = substring_before( val = lv_rest sub = `/` ).
      lv_base_path = |/{ substring_after( val = lv_rest sub = `/` ) }|.
    ENDIF.
    IF ( lv_scheme = `http` AND lv_authority CP '*:80' ) OR ( lv_scheme = `https` AND lv_authority CP '*:443' ).
      lv_authority = substring_before( val = lv_authority sub = `:` occ = -1 ).
    ENDIF.

    " the model id is one path segment, so a colon or slash in it is percent-encoded
    ls_request-method = `POST`.
    ls_request-path = |{ lv_base_path }/model/{ /aws1/cl_rt_sigv4=>uri_encode( iv_modelid ) }/invoke|.
    ls_request-payload = iv_body.
    APPEND VALUE #( name = `Host` value = lv_authority ) TO ls_request-headers.
    IF iv_contenttype IS NOT INITIAL.
      APPEND VALUE #( name = `Content-Type` value = iv_contenttype ) TO ls_request-headers.
    ENDIF.
    IF iv_accept IS NOT INITIAL.
      APPEND VALUE #( name = `Accept` value = iv_accept ) TO ls_request-headers.
    ENDIF.
    IF iv_trace IS NOT INITIAL.
      APPEND VALUE #( name = `X-Amzn-Bedrock-Trace` value = iv_trace ) TO ls_request-headers.
    ENDIF.
    IF iv_guardrailidentifier IS NOT INITIAL.
      APPEND VALUE #( name = `X-Amzn-Bedrock-GuardrailIdentifier` value = iv_guardrailidentifier ) TO ls_request-headers.
    ENDIF.
    IF iv_guardrailversion IS NOT INITIAL.
      APPEND VALUE #( name = `X-Amzn-Bedrock-GuardrailVersion` value = iv_guardrailversion ) TO ls_request-headers.
    ENDIF.
    IF iv_performanceconfiglatency IS NOT INITIAL.
      APPEND VALUE #( name  = `X-Amzn-Bedrock-PerformanceConfig-Latency`
                      value = iv_performanceconfiglatency ) TO ls_request-headers.
    ENDIF.

    NEW /aws1/cl_rt_sigv4( iv_access_key_id     = mo_session->get_access_key_id( )
                           iv_secret_access_key = mo_session->get_secret_access_key( )
                           iv_session_token     = mo_session->get_session_token( )
                           iv_region            = mo_session->get_region( )
                           iv_service           = c_signing_name )->sign( CHANGING cs_request = ls_request ).

    " fetch sets Host itself from the URL, which is the value signed above
    LOOP AT ls_request-headers INTO DATA(ls_header) WHERE name <> `Host`.
      APPEND |{ ls_header-name }: { ls_header-value }| TO lt_lines.
    ENDLOOP.
    DATA(ls_response) = zcl_kernel_http=>send( iv_method       = ls_request-method
                                               iv_url          = |{ lv_scheme }://{ lv_authority }{ ls_request-path }|
                                               iv_header_lines = concat_lines_of( table = lt_lines sep = |\n| )
                                               iv_body         = ls_request-payload ).
    IF ls_response-status = 0.
      RAISE EXCEPTION TYPE /aws1/cx_rt_technical_generic
        EXPORTING
          av_err_code = `HttpCommunicationFailure`
          av_err_msg  = |Could not reach { lv_endpoint }: { ls_response-error_text }|.
    ENDIF.
    IF ls_response-status < 200 OR ls_response-status >= 300.
      raise_error( iv_status     = ls_response-status
                   iv_error_type = header_value( iv_header_lines = ls_response-header_lines
                                                 iv_name         = `x-amzn-errortype` )
                   iv_body       = ls_response-body
                   iv_request_id = header_value( iv_header_lines = ls_response-header_lines
                                                 iv_name         = `x-amzn-requestid` ) ).
    ENDIF.

    oo_output = NEW /aws1/cl_bdrinvokemodelrsp(
      iv_body                     = ls_response-body
      iv_contenttype              = header_value( iv_header_lines = ls_response-header_lines
                                                  iv_name         = `content-type` )
      iv_performanceconfiglatency = header_value( iv_header_lines = ls_response-header_lines
                                                  iv_name         = `x-amzn-bedrock-performanceconfig-latency` ) ).
  ENDMETHOD.

  METHOD raise_error.
    DATA: BEGIN OF ls_error,
            message              TYPE string,
            code                 TYPE string,
            original_status_code TYPE i,
            resource_name        TYPE string,
          END OF ls_error.

    " restJson1: the code is the header up to any colon, else the body's code, without a namespace
    DATA(lv_code) = iv_error_type.
    IF lv_code CS `:`.
      lv_code = substring_before( val = lv_code sub = `:` ).
    ENDIF.
    /ui2/cl_json=>deserialize( EXPORTING jsonx = iv_body
                               CHANGING  data  = ls_error ).
    /ui2/cl_json=>deserialize( EXPORTING jsonx       = iv_body
                                         pretty_name = /ui2/cl_json=>pretty_mode-camel_case
                               CHANGING  data        = ls_error ).
    IF lv_code IS INITIAL.
      lv_code = ls_error-code.
    ENDIF.
    IF lv_code CS `#`.
      lv_code = substring_after( val = lv_code sub = `#` occ = -1 ).
    ENDIF.
    lv_code = condense( lv_code ).
    DATA(lv_message) = ls_error-message.

    CASE lv_code.
      WHEN `AccessDeniedException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdraccessdeniedex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ValidationException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrvalidationex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ServiceQuotaExceededException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrservicequotaexcdex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ResourceNotFoundException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrresourcenotfoundex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ModelTimeoutException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrmodeltimeoutex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ThrottlingException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrthrottlingex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ModelNotReadyException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrmodelnotreadyex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ModelErrorException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrmodelerrorex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id
                    av_originalstatuscode = ls_error-original_status_code
                    av_resourcename = ls_error-resource_name.
      WHEN `InternalServerException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrinternalserverex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `ServiceUnavailableException`.
        RAISE EXCEPTION TYPE /aws1/cx_bdrserviceunavailex
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
      WHEN `UnrecognizedClientException` OR `InvalidSignatureException` OR `IncompleteSignature`
          OR `MissingAuthenticationToken` OR `SignatureDoesNotMatch` OR `ExpiredTokenException`
          OR `InvalidClientTokenId`.
        RAISE EXCEPTION TYPE /aws1/cx_rt_no_auth_generic
          EXPORTING av_err_code = lv_code av_err_msg = lv_message
                    av_http_status_code = iv_status av_request_id = iv_request_id.
    ENDCASE.

    " not modeled: the status decides between the service's client and server errors
    IF lv_code IS INITIAL.
      lv_code = |HTTP { iv_status }|.
    ENDIF.
    IF iv_status >= 500.
      RAISE EXCEPTION TYPE /aws1/cx_bdrserverexc
        EXPORTING av_err_code = lv_code av_err_msg = lv_message
                  av_http_status_code = iv_status av_request_id = iv_request_id.
    ENDIF.
    RAISE EXCEPTION TYPE /aws1/cx_bdrclientexc
      EXPORTING av_err_code = lv_code av_err_msg = lv_message
                av_http_status_code = iv_status av_request_id = iv_request_id.
  ENDMETHOD.

  METHOD header_value.
    DATA lt_lines TYPE string_table.
    SPLIT iv_header_lines AT |\n| INTO TABLE lt_lines.
    LOOP AT lt_lines INTO DATA(lv_line).
      IF to_lower( condense( substring_before( val = lv_line sub = `:` ) ) ) = to_lower( iv_name ).
        rv_value = condense( substring_after( val = lv_line sub = `:` ) ).
        RETURN.
      ENDIF.
    ENDLOOP.
  ENDMETHOD.

ENDCLASS.
