"! <p class="shorttext synchronized">An error response from an AWS service</p>
CLASS /aws1/cx_rt_service_generic DEFINITION PUBLIC INHERITING FROM /aws1/cx_rt_generic CREATE PUBLIC.
ENDCLASS.

CLASS /aws1/cx_rt_service_generic IMPLEMENTATION.
ENDCLASS.
