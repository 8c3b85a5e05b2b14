NAME = 'shared layer'
