"! SigV4 against the AWS Signature Version 4 test suite and a Bedrock request
"! whose signature botocore's SigV4Auth computes identically.
CLASS ltcl_sigv4 DEFINITION FINAL FOR TESTING DURATION SHORT RISK LEVEL HARMLESS.
  PRIVATE SECTION.
    CONSTANTS c_access_key_id TYPE string VALUE `AKIDEXAMPLE`.
    CONSTANTS c_secret_access_key TYPE string VALUE `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`.
    CONSTANTS c_test_suite_date TYPE string VALUE `20150830T123600Z`.

    METHODS get_vanilla FOR TESTING.
    METHODS post_vanilla FOR TESTING.
    METHODS get_vanilla_query_order FOR TESTING.
    METHODS bedrock_model_id_with_colon FOR TESTING.
    METHODS uri_encode_unreserved FOR TESTING.
    METHODS uri_encode_utf8 FOR TESTING.
    METHODS session_token_is_signed FOR TESTING.
    METHODS amz_date_format FOR TESTING.

    METHODS test_suite_request
      IMPORTING iv_method         TYPE string
                iv_query          TYPE string OPTIONAL
      RETURNING VALUE(rs_request) TYPE /aws1/cl_rt_sigv4=>ty_request.
    METHODS authorization
      IMPORTING is_request      TYPE /aws1/cl_rt_sigv4=>ty_request
      RETURNING VALUE(rv_value) TYPE string.
ENDCLASS.

CLASS ltcl_sigv4 IMPLEMENTATION.

  METHOD test_suite_request.
    rs_request-method = iv_method.
    rs_request-path = `/`.
    rs_request-query = iv_query.
    APPEND VALUE #( name = `Host` value = `example.amazonaws.com` ) TO rs_request-headers.
    APPEND VALUE #( name = `X-Amz-Date` value = c_test_suite_date ) TO rs_request-headers.
    NEW /aws1/cl_rt_sigv4( iv_access_key_id     = c_access_key_id
                           iv_secret_access_key = c_secret_access_key
                           iv_region            = `us-east-1`
                           iv_service           = `service`
      )->sign( EXPORTING iv_add_content_sha256 = abap_false
               CHANGING  cs_request            = rs_request ).
  ENDMETHOD.

  METHOD authorization.
    READ TABLE is_request-headers INTO DATA(ls_header) WITH KEY name = `Authorization`.
    rv_value = ls_header-value.
  ENDMETHOD.

  METHOD get_vanilla.
    cl_abap_unit_assert=>assert_equals(
      act = authorization( test_suite_request( `GET` ) )
      exp = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, `
         && `SignedHeaders=host;x-amz-date, `
         && `Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31` ).
  ENDMETHOD.

  METHOD post_vanilla.
    cl_abap_unit_assert=>assert_equals(
      act = authorization( test_suite_request( `POST` ) )
      exp = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, `
         && `SignedHeaders=host;x-amz-date, `
         && `Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b` ).
  ENDMETHOD.

  METHOD get_vanilla_query_order.
    cl_abap_unit_assert=>assert_equals(
      act = authorization( test_suite_request( iv_method = `GET` iv_query = `Param2=value2&Param1=value1` ) )
      exp = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, `
         && `SignedHeaders=host;x-amz-date, `
         && `Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500` ).
  ENDMETHOD.

  METHOD bedrock_model_id_with_colon.
    DATA ls_request TYPE /aws1/cl_rt_sigv4=>ty_request.
    DATA(lo_signer) = NEW /aws1/cl_rt_sigv4( iv_access_key_id     = c_access_key_id
                                             iv_secret_access_key = c_secret_access_key
                                             iv_region            = `us-east-1`
                                             iv_service           = `bedrock` ).
    ls_request-method = `POST`.
    ls_request-path = |/model/{ /aws1/cl_rt_sigv4=>uri_encode( `anthropic.claude-v2:1` ) }/invoke|.
    ls_request-payload = /aws1/cl_rt_util=>string_to_xstring( `{"prompt":"hi"}` ).
    ls_request-headers = VALUE #( ( name = `Host` value = `127.0.0.1:8080` )
                                  ( name = `Content-Type` value = `application/json` )
                                  ( name = `Accept` value = `application/json` )
                                  ( name = `X-Amz-Date` value = `20240102T030405Z` ) ).

    cl_abap_unit_assert=>assert_equals( act = ls_request-path
                                        exp = `/model/anthropic.claude-v2%3A1/invoke` ).
    cl_abap_unit_assert=>assert_equals(
      act = lo_signer->canonical_request( ls_request )
      exp = |POST\n/model/anthropic.claude-v2%253A1/invoke\n\n|
         && |accept:application/json\ncontent-type:application/json\nhost:127.0.0.1:8080\n|
         && |x-amz-date:20240102T030405Z\n\naccept;content-type;host;x-amz-date\n|
         && `14479f4e87d340fe0ca0d522d87a5b3a028ebb1af24fbb8d3ef4553044fc6db6` ).

    lo_signer->sign( EXPORTING iv_add_content_sha256 = abap_false
                     CHANGING  cs_request            = ls_request ).
    cl_abap_unit_assert=>assert_equals(
      act = authorization( ls_request )
      exp = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/bedrock/aws4_request, `
         && `SignedHeaders=accept;content-type;host;x-amz-date, `
         && `Signature=3a0a8736c9006a53d48379ff60ff367c69ef472e75f69d211451fe48b868ade7` ).
  ENDMETHOD.

  METHOD uri_encode_unreserved.
    cl_abap_unit_assert=>assert_equals( act = /aws1/cl_rt_sigv4=>uri_encode( `AZaz09-_.~` )
                                        exp = `AZaz09-_.~` ).
    cl_abap_unit_assert=>assert_equals( act = /aws1/cl_rt_sigv4=>uri_encode( `a b/c:d%` )
                                        exp = `a%20b%2Fc%3Ad%25` ).
    cl_abap_unit_assert=>assert_equals( act = /aws1/cl_rt_sigv4=>uri_encode( iv_text         = `/a b/`
                                                                             iv_encode_slash = abap_false )
                                        exp = `/a%20b/` ).
  ENDMETHOD.

  METHOD uri_encode_utf8.
    cl_abap_unit_assert=>assert_equals( act = /aws1/cl_rt_sigv4=>uri_encode( `é漢🙂` )
                                        exp = `%C3%A9%E6%BC%A2%F0%9F%99%82` ).
  ENDMETHOD.

  METHOD session_token_is_signed.
    DATA ls_request TYPE /aws1/cl_rt_sigv4=>ty_request.
    ls_request-method = `POST`.
    ls_request-path = `/`.
    APPEND VALUE #( name = `Host` value = `example.amazonaws.com` ) TO ls_request-headers.
    NEW /aws1/cl_rt_sigv4( iv_access_key_id     = c_access_key_id
                           iv_secret_access_key = c_secret_access_key
                           iv_session_token     = `TOKEN`
                           iv_region            = `us-east-1`
                           iv_service           = `bedrock` )->sign( CHANGING cs_request = ls_request ).
    cl_abap_unit_assert=>assert_true(
      xsdbool( authorization( ls_request ) CS `SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,` ) ).
  ENDMETHOD.

  METHOD amz_date_format.
    cl_abap_unit_assert=>assert_true( xsdbool( matches( val   = /aws1/cl_rt_sigv4=>amz_date_now( )
                                                        regex = `^\d{8}T\d{6}Z$` ) ) ).
  ENDMETHOD.

ENDCLASS.
