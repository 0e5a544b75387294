"! <p class="shorttext synchronized">One HTTP exchange over Node.js http</p>
"! The role CL_HTTP_CLIENT plays on an SAP system. Headers cross the boundary as
"! "name: value" lines, so the JavaScript side needs no knowledge of ABAP tables.
CLASS zcl_kernel_http DEFINITION PUBLIC FINAL CREATE PUBLIC.
  PUBLIC SECTION.
    TYPES:
      BEGIN OF ty_response,
        status       TYPE i,
        header_lines TYPE string,
        body         TYPE xstring,
        error_text   TYPE string,
      END OF ty_response.

    "! @parameter iv_header_lines | "name: value" lines separated by a line feed
    "! @parameter rs_response | status 0 and error_text set when no response arrived
    CLASS-METHODS send
      IMPORTING iv_method          TYPE string
                iv_url             TYPE string
                iv_header_lines    TYPE string
                iv_body            TYPE xstring
                iv_timeout_seconds TYPE i DEFAULT 60
      RETURNING VALUE(rs_response) TYPE ty_response.
ENDCLASS.

CLASS zcl_kernel_http IMPLEMENTATION.

  METHOD send.
    WRITE '@KERNEL const headers = {};'.
    WRITE '@KERNEL for (const line of iv_header_lines.get().split("\n")) {'.
    WRITE '@KERNEL   const colon = line.indexOf(":");'.
    WRITE '@KERNEL   if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();'.
    WRITE '@KERNEL }'.
    WRITE '@KERNEL const method = iv_method.get();'.
    WRITE '@KERNEL const body = method === "GET" ? undefined : Buffer.from(iv_body.get(), "hex");'.
    WRITE '@KERNEL const url = iv_url.get();'.
    WRITE '@KERNEL // node:http rather than fetch: fetch loads its HTTP stack on first use, some 30 ms of every run.'.
    WRITE '@KERNEL const transport = await import(url.startsWith("https:") ? "node:https" : "node:http");'.
    WRITE '@KERNEL try {'.
    WRITE '@KERNEL   const response = await new Promise((resolve, reject) => {'.
    WRITE '@KERNEL     const request = transport.request(url, {method, headers, timeout: iv_timeout_seconds.get() * 1000}, (reply) => {'.
    WRITE '@KERNEL       const chunks = [];'.
    WRITE '@KERNEL       reply.on("data", (chunk) => chunks.push(chunk));'.
    WRITE '@KERNEL       reply.on("end", () => resolve({status: reply.statusCode, headers: reply.headers, body: Buffer.concat(chunks)}));'.
    WRITE '@KERNEL       reply.on("error", reject);'.
    WRITE '@KERNEL     });'.
    WRITE '@KERNEL     request.on("timeout", () => request.destroy(new Error("no response within the timeout")));'.
    WRITE '@KERNEL     request.on("error", reject);'.
    WRITE '@KERNEL     request.end(body);'.
    WRITE '@KERNEL   });'.
    WRITE '@KERNEL   const lines = Object.entries(response.headers).map(([name, value]) => name + ": " + value);'.
    WRITE '@KERNEL   rs_response.get().status.set(response.status);'.
    WRITE '@KERNEL   rs_response.get().header_lines.set(lines.join("\n"));'.
    WRITE '@KERNEL   rs_response.get().body.set(response.body.toString("hex").toUpperCase());'.
    WRITE '@KERNEL } catch (error) {'.
    WRITE '@KERNEL   const cause = error.cause ? ": " + (error.cause.message || error.cause) : "";'.
    WRITE '@KERNEL   rs_response.get().error_text.set(String(error.message || error) + cause);'.
    WRITE '@KERNEL }'.
  ENDMETHOD.

ENDCLASS.
