"! <p class="shorttext synchronized">ResourceNotFoundException (HTTP 404)</p>
CLASS /aws1/cx_bdrresourcenotfoundex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrclientexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrresourcenotfoundex IMPLEMENTATION.
ENDCLASS.
