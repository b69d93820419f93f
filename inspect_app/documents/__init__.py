"""Word documents that leave the system (交办函, 周报, 视察报告). Pure: data in, a .docx out."""
