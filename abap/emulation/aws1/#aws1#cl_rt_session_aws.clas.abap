"! <p class="shorttext synchronized">SDK session: region, credentials and endpoints</p>
"! On an SAP system a session reads an SDK profile maintained in /AWS1/IMG. This one
"! reads the standard AWS environment variables instead, as every other AWS SDK does:
"! AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or
"! AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_&lt;SERVICE&gt; (or AWS_ENDPOINT_URL).
CLASS /aws1/cl_rt_session_aws DEFINITION PUBLIC FINAL CREATE PRIVATE.
  PUBLIC SECTION.
    "! @parameter iv_profile_id | kept for the caller; configuration comes from the environment
    CLASS-METHODS create
      IMPORTING iv_profile_id     TYPE csequence OPTIONAL
      RETURNING VALUE(oo_session) TYPE REF TO /aws1/cl_rt_session_aws
      RAISING   /aws1/cx_rt_no_auth_generic
                /aws1/cx_rt_technical_generic.

    METHODS get_profile_id
      RETURNING VALUE(ov_profile_id) TYPE string.
    METHODS get_region
      RETURNING VALUE(ov_region) TYPE string.
    METHODS get_access_key_id
      RETURNING VALUE(ov_access_key_id) TYPE string.
    METHODS get_secret_access_key
      RETURNING VALUE(ov_secret_access_key) TYPE string.
    METHODS get_session_token
      RETURNING VALUE(ov_session_token) TYPE string.

    "! @parameter iv_service_id | the service's SDK id, e.g. Bedrock Runtime
    "! @parameter iv_endpoint_prefix | the host prefix of the public endpoint, e.g. bedrock-runtime
    "! @parameter ov_url | scheme and authority, without a trailing slash
    METHODS resolve_endpoint
      IMPORTING iv_service_id      TYPE csequence
                iv_endpoint_prefix TYPE csequence
      RETURNING VALUE(ov_url)      TYPE string.

  PROTECTED SECTION.
  PRIVATE SECTION.
    DATA mv_profile_id TYPE string.
    DATA mv_region TYPE string.
    DATA mv_access_key_id TYPE string.
    DATA mv_secret_access_key TYPE string.
    DATA mv_session_token TYPE string.
ENDCLASS.

CLASS /aws1/cl_rt_session_aws IMPLEMENTATION.

  METHOD create.
    oo_session = NEW /aws1/cl_rt_session_aws( ).
    oo_session->mv_profile_id = iv_profile_id.
    oo_session->mv_access_key_id = zcl_kernel_env=>get( `AWS_ACCESS_KEY_ID` ).
    oo_session->mv_secret_access_key = zcl_kernel_env=>get( `AWS_SECRET_ACCESS_KEY` ).
    oo_session->mv_session_token = zcl_kernel_env=>get( `AWS_SESSION_TOKEN` ).
    oo_session->mv_region = zcl_kernel_env=>get( `AWS_REGION` ).
    IF oo_session->mv_region IS INITIAL.
      oo_session->mv_region = zcl_kernel_env=>get( `AWS_DEFAULT_REGION` ).
    ENDIF.

    IF oo_session->mv_access_key_id IS INITIAL OR oo_session->mv_secret_access_key IS INITIAL.
      RAISE EXCEPTION TYPE /aws1/cx_rt_no_auth_generic
        EXPORTING
          av_err_code = `NoCredentials`
          av_err_msg  = `No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`.
    ENDIF.
    IF oo_session->mv_region IS INITIAL.
      RAISE EXCEPTION TYPE /aws1/cx_rt_technical_generic
        EXPORTING
          av_err_code = `NoRegion`
          av_err_msg  = `No AWS Region: set AWS_REGION`.
    ENDIF.
  ENDMETHOD.

  METHOD get_profile_id.
    ov_profile_id = mv_profile_id.
  ENDMETHOD.

  METHOD get_region.
    ov_region = mv_region.
  ENDMETHOD.

  METHOD get_access_key_id.
    ov_access_key_id = mv_access_key_id.
  ENDMETHOD.

  METHOD get_secret_access_key.
    ov_secret_access_key = mv_secret_access_key.
  ENDMETHOD.

  METHOD get_session_token.
    ov_session_token = mv_session_token.
  ENDMETHOD.

  METHOD resolve_endpoint.
    " the service-specific variable names the service id in upper case with underscores
    DATA(lv_suffix) = to_upper( replace( val = condense( |{ iv_service_id }| ) sub = ` ` with = `_` occ = 0 ) ).
    IF to_lower( zcl_kernel_env=>get( `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` ) ) <> `true`.
      ov_url = zcl_kernel_env=>get( |AWS_ENDPOINT_URL_{ lv_suffix }| ).
      IF ov_url IS INITIAL.
        ov_url = zcl_kernel_env=>get( `AWS_ENDPOINT_URL` ).
      ENDIF.
    ENDIF.
    IF ov_url IS INITIAL.
      ov_url = |https://{ iv_endpoint_prefix }.{ mv_region }.amazonaws.com|.
    ENDIF.
    WHILE ov_url CP '*/'.
      ov_url = substring( val = ov_url len = strlen( ov_url ) - 1 ).
    ENDWHILE.
  ENDMETHOD.

ENDCLASS.
