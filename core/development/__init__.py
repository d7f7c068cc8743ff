"""Member development (发展党员): a person's path from applicant to full member in the 5 stages
and 25 steps of 《中国共产党发展党员工作细则》, with the rule checks each step must pass."""
