"! <p class="shorttext synchronized">Amazon Bedrock Runtime</p>
"! The InvokeModel operation of the SDK for SAP ABAP's Bedrock Runtime module
"! (TLA BDR); create a client with /AWS1/CL_BDR_FACTORY=>CREATE.
INTERFACE /aws1/if_bdr PUBLIC.

  "! Invokes a model with the model's native request body.
  "! @parameter iv_body | the model's native request, usually UTF-8 JSON
  "! @parameter iv_contenttype | MIME type of the body, e.g. application/json
  "! @parameter iv_accept | MIME type wanted for the response body
  "! @parameter iv_modelid | model id, inference profile id or ARN
  "! @parameter iv_trace | ENABLED or DISABLED
  "! @parameter iv_performanceconfiglatency | standard or optimized
  METHODS invokemodel
    IMPORTING iv_body                     TYPE xstring OPTIONAL
              iv_contenttype              TYPE string OPTIONAL
              iv_accept                   TYPE string OPTIONAL
              iv_modelid                  TYPE string
              iv_trace                    TYPE string OPTIONAL
              iv_guardrailidentifier      TYPE string OPTIONAL
              iv_guardrailversion         TYPE string OPTIONAL
              iv_performanceconfiglatency TYPE string OPTIONAL
    RETURNING VALUE(oo_output)            TYPE REF TO /aws1/cl_bdrinvokemodelrsp
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

ENDINTERFACE.
