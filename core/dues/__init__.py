"""Party dues (党费): rates, monthly bases, payments, arrears and finance roles."""
