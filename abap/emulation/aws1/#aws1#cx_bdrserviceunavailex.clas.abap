"! <p class="shorttext synchronized">ServiceUnavailableException (HTTP 503)</p>
CLASS /aws1/cx_bdrserviceunavailex DEFINITION PUBLIC INHERITING FROM /aws1/cx_bdrserverexc CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrserviceunavailex IMPLEMENTATION.
ENDCLASS.
