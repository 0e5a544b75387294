"! <p class="shorttext synchronized">ModelTimeoutException (HTTP 408)</p>
CLASS /aws1/cx_bdrmodeltimeoutex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrmodeltimeoutex IMPLEMENTATION.
ENDCLASS.
