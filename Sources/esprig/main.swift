print("esprig")
