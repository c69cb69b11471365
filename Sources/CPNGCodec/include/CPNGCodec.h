int spinecount_cpngcodec_placeholder(void);
