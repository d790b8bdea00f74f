"""Reproductions checked against published numbers: ``isca16`` (Chen, Emer, Sze, ISCA 2016,
Figs. 10-12) and ``eyeriss_chip`` (the Eyeriss chip's measured AlexNet and VGG-16, JSSC 2017)."""
