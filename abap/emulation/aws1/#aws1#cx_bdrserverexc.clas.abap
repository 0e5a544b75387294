"! <p class="shorttext synchronized">Bedrock Runtime: an error on the service side (5xx)</p>
CLASS /aws1/cx_bdrserverexc DEFINITION PUBLIC INHERITING FROM /aws1/cx_rt_service_generic CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_bdrserverexc IMPLEMENTATION.
ENDCLASS.
