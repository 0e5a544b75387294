"! <p class="shorttext synchronized">ThrottlingException (HTTP 429)</p>
CLASS /aws1/cx_bdrthrottlingex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrthrottlingex IMPLEMENTATION.
ENDCLASS.
