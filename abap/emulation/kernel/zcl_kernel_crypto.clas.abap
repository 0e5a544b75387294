"! <p class="shorttext synchronized">Byte primitives: SHA-256, HMAC-SHA256, UTF-8</p>
"! On an SAP system these come from the kernel (CL_ABAP_MESSAGE_DIGEST, CL_ABAP_HMAC,
"! CL_ABAP_CONV_CODEPAGE); here they are Node.js's crypto and Buffer. Everything
"! else (SigV4, JSON, the SDK) is plain ABAP built on these four methods.
CLASS zcl_kernel_crypto DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    CLASS-METHODS sha256
      IMPORTING iv_data        TYPE xstring
      RETURNING VALUE(rv_hash) TYPE xstring.
    CLASS-METHODS hmac_sha256
      IMPORTING iv_key        TYPE xstring
                iv_data       TYPE xstring
      RETURNING VALUE(rv_mac) TYPE xstring.
    CLASS-METHODS utf8_encode
      IMPORTING iv_text         TYPE string
      RETURNING VALUE(rv_bytes) TYPE xstring.
    CLASS-METHODS utf8_decode
      IMPORTING iv_bytes       TYPE xstring
      RETURNING VALUE(rv_text) TYPE string.
ENDCLASS.

CLASS zcl_kernel_crypto IMPLEMENTATION.

  METHOD sha256.
    WRITE '@KERNEL const crypto = await import("node:crypto");'.
    WRITE '@KERNEL const hash = crypto.createHash("sha256").update(Buffer.from(iv_data.get(), "hex"));'.
    WRITE '@KERNEL rv_hash.set(hash.digest("hex").toUpperCase());'.
  ENDMETHOD.

  METHOD hmac_sha256.
    WRITE '@KERNEL const crypto = await import("node:crypto");'.
    WRITE '@KERNEL const mac = crypto.createHmac("sha256", Buffer.from(iv_key.get(), "hex"));'.
    WRITE '@KERNEL rv_mac.set(mac.update(Buffer.from(iv_data.get(), "hex")).digest("hex").toUpperCase());'.
  ENDMETHOD.

  METHOD utf8_encode.
    WRITE '@KERNEL rv_bytes.set(Buffer.from(iv_text.get(), "utf8").toString("hex").toUpperCase());'.
  ENDMETHOD.

  METHOD utf8_decode.
    WRITE '@KERNEL rv_text.set(Buffer.from(iv_bytes.get(), "hex").toString("utf8"));'.
  ENDMETHOD.

ENDCLASS.
