"! <p class="shorttext synchronized">ValidationException (HTTP 400)</p>
CLASS /aws1/cx_bdrvalidationex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrvalidationex IMPLEMENTATION.
ENDCLASS.
